import { Body, Button, Container, Head, Heading, Hr, Html, Preview, Section, Text } from '@react-email/components';

export interface ActivationWelcomeProps {
  name: string;
  activationLink: string;
}

export const subject = ({ name }: ActivationWelcomeProps) => `Your first project is live, ${name}`;

export default function ActivationWelcome({ name, activationLink }: ActivationWelcomeProps) {
  return (
    <Html lang="en">
      <Head />
      <Preview>Your first project is live: here is what to do next</Preview>
      <Body style={body}>
        <Container style={container}>
          <Heading style={heading}>Welcome aboard, {name}!</Heading>
          <Text style={text}>
            You just created your first project. Most teams get value in the next ten minutes: connect your
            database, invite a teammate, and ship your first cached route.
          </Text>
          <Section style={{ textAlign: 'center', margin: '28px 0' }}>
            <Button href={activationLink} style={button}>
              Finish setting up
            </Button>
          </Section>
          <Text style={text}>Or paste this link into your browser: {activationLink}</Text>
          <Hr />
          <Text style={footer}>You are receiving this because you signed up. Reply to this email if you get stuck.</Text>
        </Container>
      </Body>
    </Html>
  );
}

const body = { backgroundColor: '#f6f9fc', fontFamily: 'Helvetica, Arial, sans-serif' };
const container = { backgroundColor: '#ffffff', margin: '40px auto', padding: '32px', maxWidth: '560px', borderRadius: '8px' };
const heading = { fontSize: '24px', color: '#111827' };
const text = { fontSize: '16px', lineHeight: '24px', color: '#374151' };
const button = { backgroundColor: '#00e9a3', color: '#111827', padding: '12px 20px', borderRadius: '6px', fontWeight: 600 };
const footer = { fontSize: '12px', color: '#6b7280' };
