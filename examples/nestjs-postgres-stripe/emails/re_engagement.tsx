import { Body, Button, Container, Head, Heading, Html, Preview, Text } from '@react-email/components';

export interface ReEngagementProps {
  name: string;
  /** When the user was last active (`users.last_activity_at`, an ISO timestamp). */
  lastActivity: string;
}

export const subject = ({ name }: ReEngagementProps) => `${name}, your workspace is waiting`;

const DAY = new Intl.DateTimeFormat('en-US', { weekday: 'long', month: 'long', day: 'numeric', timeZone: 'UTC' }); // built once, not per email

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
      <Preview>Your subscription is active: here is what you can do with it today</Preview>
      <Body style={{ backgroundColor: '#f6f9fc', fontFamily: 'Helvetica, Arial, sans-serif' }}>
        <Container style={{ backgroundColor: '#ffffff', padding: '32px', margin: '32px auto', maxWidth: '560px' }}>
          <Heading style={{ fontSize: '22px' }}>We miss you, {name}</Heading>
          <Text style={{ fontSize: '16px', lineHeight: '24px' }}>
            {day ? `Your last visit was on ${day}.` : 'It has been a while since your last visit.'} Your subscription
            is still active, and everything you set up is still there.
          </Text>
          <Button href="https://app.acme.example/dashboard?utm_campaign=re_engagement" style={{ backgroundColor: '#635bff', color: '#ffffff', padding: '12px 20px', borderRadius: '6px' }}>
            Go to your dashboard
          </Button>
        </Container>
      </Body>
    </Html>
  );
}
