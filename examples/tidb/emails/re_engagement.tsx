import { Body, Button, Column, Container, Head, Heading, Html, Preview, Row, Section, Text } from '@react-email/components';

export interface ReEngagementProps {
  name: string;
  /** When the user was last active (`users.last_activity_at`, an ISO timestamp). */
  lastActivity: string;
}

export const subject = ({ name }: ReEngagementProps) => `${name}, your cluster misses you`;

const DAY = new Intl.DateTimeFormat('en-GB', { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' }); // built once, not per email

function formatDay(iso: string): string | null {
  const date = new Date(iso);
  if (!iso || Number.isNaN(date.getTime())) return null;
  return DAY.format(date);
}

export default function ReEngagement({ name, lastActivity }: ReEngagementProps) {
  const day = formatDay(lastActivity);
  return (
    <Html lang="en">
      <Head />
      <Preview>Pick up where you left off: your data is exactly where you left it</Preview>
      <Body style={{ backgroundColor: '#f5f5f7', fontFamily: 'Helvetica, Arial, sans-serif' }}>
        <Container style={{ backgroundColor: '#ffffff', padding: '32px', margin: '32px auto', maxWidth: '560px' }}>
          <Heading style={{ fontSize: '22px' }}>Welcome back, {name}</Heading>
          <Text style={{ fontSize: '16px', lineHeight: '24px' }}>
            {day ? `Your last session was on ${day}.` : 'It has been a while since your last session.'} Your
            databases, branches and saved queries are exactly where you left them.
          </Text>
          <Section style={{ margin: '16px 0' }}>
            <Row>
              <Column>
                <Text style={{ margin: 0, fontWeight: 600 }}>New: vector search</Text>
                <Text style={{ margin: 0, color: '#4b5563' }}>Store embeddings next to your rows.</Text>
              </Column>
              <Column>
                <Text style={{ margin: 0, fontWeight: 600 }}>New: branching</Text>
                <Text style={{ margin: 0, color: '#4b5563' }}>Test schema changes on a copy.</Text>
              </Column>
            </Row>
          </Section>
          <Button href="https://tidbcloud.example.com/console" style={{ backgroundColor: '#dc150b', color: '#ffffff', padding: '12px 20px' }}>
            Open the console
          </Button>
        </Container>
      </Body>
    </Html>
  );
}
