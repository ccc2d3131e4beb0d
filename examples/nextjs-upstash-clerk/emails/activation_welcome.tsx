import { Body, Button, Container, Head, Heading, Html, Link, Preview, Section, Text } from '@react-email/components';

export interface ActivationWelcomeProps {
  name: string;
  activationLink: string;
}

export const subject = ({ name }: ActivationWelcomeProps) => `${name}, your first project is ready`;

export default function ActivationWelcome({ name, activationLink }: ActivationWelcomeProps) {
  const firstName = name.split(' ')[0] || name;
  return (
    <Html lang="en">
      <Head />
      <Preview>Three quick steps to get the most out of your first project</Preview>
      <Body style={{ backgroundColor: '#ffffff', fontFamily: '-apple-system, Segoe UI, Roboto, sans-serif' }}>
        <Container style={{ padding: '24px', maxWidth: '540px' }}>
          <Heading style={{ fontSize: '22px' }}>Nice work, {firstName}!</Heading>
          <Text>Your first project is live. Here is how teams like yours get to their first win:</Text>
          <Text>
            1. Connect your data source
            <br />
            2. Invite a teammate from the dashboard
            <br />
            3. Turn on notifications so nothing slips
          </Text>
          <Section style={{ margin: '24px 0' }}>
            <Button href={activationLink} style={{ backgroundColor: '#6c47ff', color: '#ffffff', padding: '12px 18px', borderRadius: '6px' }}>
              Continue onboarding
            </Button>
          </Section>
          <Text style={{ color: '#6b7280', fontSize: '12px' }}>
            Signed in with Clerk · <Link href={activationLink}>Open the app</Link>
          </Text>
        </Container>
      </Body>
    </Html>
  );
}
