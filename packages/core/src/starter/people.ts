/**
 * The four people of every starter's seed data, with fixed dates around STARTER_AT: a plan at that
 * instant gives the same emails on any day, and the starter can say how many beforehand.
 */
import type { LoopType } from '@skene/sdk';

/** The instant the starter's seed data is written around. */
export const STARTER_AT = '2026-03-02T09:00:00Z';

export interface Person {
  name: string;
  email: string;
  /** `YYYY-MM-DD hh:mm:ss`, UTC. */
  created: string;
  active: string;
  firstProject: boolean;
}

export const PEOPLE: Person[] = [
  { name: 'Ada Lovelace', email: 'ada@example.com', created: '2026-01-05 09:00:00', active: '2026-02-10 17:42:00', firstProject: true },
  { name: 'Grace Hopper', email: 'grace@example.com', created: '2026-01-20 14:30:00', active: '2026-03-01 11:20:00', firstProject: false },
  { name: 'Alan Turing', email: 'alan@example.com', created: '2026-02-02 08:15:00', active: '2026-02-20 07:55:00', firstProject: true },
  { name: 'Linus Ekström', email: 'linus@example.com', created: '2026-03-01 20:12:00', active: '2026-03-02 06:30:00', firstProject: false },
];

export const DAY = 86_400_000;
export const AT = Date.parse(STARTER_AT);
export const ms = (s: string) => Date.parse(`${s.replace(' ', 'T')}Z`);
/** Who has been idle for more than 7 days at STARTER_AT (Ada and Alan). */
export const dormant = (p: Person) => ms(p.active) < AT - 7 * DAY;
export const count = (f: (p: Person) => boolean) => PEOPLE.filter(f).length;

/** Patterns whose starter waits for a schedule (the rest start from a new row). */
export const isScheduled = (pattern: LoopType) => pattern === 'retention' || pattern === 'adoption';
