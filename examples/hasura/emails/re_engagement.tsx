import { Body, Button, Container, Head, Heading, Html, Preview, Text } from '@react-email/components';

export interface ReEngagementProps {
  name: string;
  /** ISO timestamp of the user's last activity (`users.last_activity_at`). */
  lastActivity: string;
}

export const subject = ({ name }: ReEngagementProps) => `We saved your spot, ${name}`;

/** `February 10, 2026` in UTC, or null when the value is not a date (the plan reports missing values). */
const DAY = new Intl.DateTimeFormat('en-US', { year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' }); // built once, not per email

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
      <Preview>Your GraphQL API is still running: here is what is new since you left</Preview>
      <Body style={{ backgroundColor: '#f4f6fb', fontFamily: 'Helvetica, Arial, sans-serif' }}>
        <Container style={{ backgroundColor: '#ffffff', padding: '32px', margin: '32px auto', maxWidth: '560px', borderRadius: '8px' }}>
          <Heading style={{ fontSize: '22px', color: '#1b2738' }}>Hi {name}, it has been a while</Heading>
          <Text style={{ fontSize: '16px', lineHeight: '24px' }}>
            {day ? `We last saw you on ${day}.` : 'We have not seen you in a while.'} Since then we shipped
            faster subscriptions, saved queries and a new permissions editor.
          </Text>
          <Button
            href="https://app.example.com/console?utm_source=skene&utm_campaign=re_engagement"
            style={{ backgroundColor: '#1eb4d4', color: '#ffffff', padding: '12px 20px', borderRadius: '6px' }}
          >
            Open your console
          </Button>
          <Text style={{ fontSize: '12px', color: '#6b7280', marginTop: '24px' }}>
            Not interested any more? Reply with “unsubscribe” and we will stop these emails.
          </Text>
        </Container>
      </Body>
    </Html>
  );
}
