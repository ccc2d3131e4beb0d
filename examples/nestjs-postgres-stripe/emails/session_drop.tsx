import { Body, Button, Container, Head, Heading, Html, Preview, Section, Text } from '@react-email/components';

export interface SessionDropProps {
  name: string;
  /** Stripe plan name (`pro`, `team`, …). */
  plan: string;
  /** Sessions in the last 7 days and in the 7 days before (numbers as text). */
  sessionsLastWeek: string;
  sessionsPreviousWeek: string;
  /** The user's most recent event (`events.event_type`), e.g. `report_exported`. */
  lastAction: string;
}

export const subject = ({ name }: SessionDropProps) => `${name}, need a hand with anything?`;

const ACTIONS: Record<string, string> = {
  report_exported: 'exporting a report',
  invoice_downloaded: 'downloading an invoice',
  dashboard_viewed: 'checking your dashboard',
  integration_connected: 'connecting an integration',
};

export default function SessionDrop({ name, plan, sessionsLastWeek, sessionsPreviousWeek, lastAction }: SessionDropProps) {
  const planName = plan ? plan[0]!.toUpperCase() + plan.slice(1) : 'your';
  const last = ACTIONS[lastAction] ?? (lastAction ? lastAction.replace(/_/g, ' ') : null);
  return (
    <Html lang="en">
      <Head />
      <Preview>A few ideas to get more out of your {planName} plan this week</Preview>
      <Body style={{ backgroundColor: '#f6f9fc', fontFamily: 'Helvetica, Arial, sans-serif' }}>
        <Container style={{ backgroundColor: '#ffffff', padding: '32px', margin: '32px auto', maxWidth: '560px' }}>
          <Heading style={{ fontSize: '22px' }}>Hi {name},</Heading>
          <Text style={{ fontSize: '16px', lineHeight: '24px' }}>
            You signed in {sessionsLastWeek} {sessionsLastWeek === '1' ? 'time' : 'times'} this week, down from {sessionsPreviousWeek} the week
            before.{last ? ` Last time you were ${last}.` : ''} If something got in the way, reply to this email: a real person reads it.
          </Text>
          <Section style={{ margin: '16px 0' }}>
            <Text style={{ margin: '4px 0' }}>• Schedule reports so they arrive in your inbox</Text>
            <Text style={{ margin: '4px 0' }}>• Invite a teammate: {planName} plans include extra seats</Text>
          </Section>
          <Button href="https://app.acme.example/dashboard?utm_campaign=session_drop" style={{ backgroundColor: '#635bff', color: '#ffffff', padding: '12px 20px', borderRadius: '6px' }}>
            Pick up where you left off
          </Button>
        </Container>
      </Body>
    </Html>
  );
}
