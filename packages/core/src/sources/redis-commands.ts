import { guardRedisCommand, isRedisReadCommand, REDIS_READ_COMMANDS } from '../guard/index.js';
import { SourceError } from './types.js';

/**
 * What a plan may send to Redis: read commands only (an allow-list, not a deny-list, so a
 * command we do not know is refused), and where each command's keys are (for key prefixes).
 */

/** Read-only commands and the positions of their key arguments: the guard's one allow-list. */
const READ_COMMANDS = REDIS_READ_COMMANDS;

/** Write commands a seed file may use, with key positions. */
const SEED_COMMANDS: Record<string, number[] | 'all' | 'pairs' | 'none'> = {
  SET: [1],
  MSET: 'pairs',
  SETEX: [1],
  PSETEX: [1],
  SETNX: [1],
  APPEND: [1],
  INCR: [1],
  INCRBY: [1],
  DECR: [1],
  DECRBY: [1],
  HSET: [1],
  HMSET: [1],
  HSETNX: [1],
  HINCRBY: [1],
  HDEL: [1],
  SADD: [1],
  SREM: [1],
  LPUSH: [1],
  RPUSH: [1],
  LSET: [1],
  ZADD: [1],
  ZINCRBY: [1],
  PFADD: [1],
  XADD: [1],
  SETBIT: [1],
  DEL: 'all',
  UNLINK: 'all',
  EXPIRE: [1],
  PEXPIRE: [1],
  EXPIREAT: [1],
  PERSIST: [1],
  'JSON.SET': [1],
};

export const isReadCommand = isRedisReadCommand;

export function isSeedCommand(name: string): boolean {
  return Object.hasOwn(SEED_COMMANDS, name.toUpperCase()) || isReadCommand(name);
}

/** Refuses anything but a known read command, with the reason and the fix. */
export function assertReadCommand(command: string[]): void {
  const [problem] = guardRedisCommand(command);
  if (problem) throw new SourceError(`refused: ${problem.message}`, false, problem.code, 'read-only');
}

/** The command with `prefix` put before each key argument. */
export function prefixKeys(command: string[], prefix: string): string[] {
  if (!prefix) return command;
  const name = command[0]!.toUpperCase();
  const positions = (Object.hasOwn(READ_COMMANDS, name) ? READ_COMMANDS[name] : Object.hasOwn(SEED_COMMANDS, name) ? SEED_COMMANDS[name] : [1]) as
    number[] | 'all' | 'pairs' | 'none';
  return command.map((arg, i) => {
    if (i === 0) return arg;
    if (positions === 'none') return arg;
    if (positions === 'all') return prefix + arg;
    if (positions === 'pairs') return i % 2 === 1 ? prefix + arg : arg;
    return positions.includes(i) ? prefix + arg : arg;
  });
}

/** Splits a command file (redis-cli quoting: "…" with \ escapes, '…' literal, # comments) into commands. */
export function parseCommandFile(text: string, file = 'commands'): string[][] {
  const commands: string[][] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((line, index) => {
    const args: string[] = [];
    let i = 0;
    while (i < line.length) {
      const ch = line[i]!;
      if (ch === ' ' || ch === '\t') {
        i++;
        continue;
      }
      if (ch === '#' && args.length === 0) break;
      let arg = '';
      if (ch === '"' || ch === "'") {
        i++;
        let closed = false;
        while (i < line.length) {
          const c = line[i]!;
          if (c === ch) {
            closed = true;
            i++;
            break;
          }
          if (c === '\\' && ch === '"' && i + 1 < line.length) {
            const n = line[i + 1]!;
            arg += n === 'n' ? '\n' : n === 't' ? '\t' : n === 'r' ? '\r' : n;
            i += 2;
            continue;
          }
          arg += c;
          i++;
        }
        if (!closed) throw new Error(`${file}:${index + 1}: unclosed ${ch} quote`);
      } else {
        while (i < line.length && line[i] !== ' ' && line[i] !== '\t') arg += line[i++];
      }
      args.push(arg);
    }
    if (args.length === 0) return;
    if (!isSeedCommand(args[0]!))
      throw new Error(`${file}:${index + 1}: ${args[0]} is not a command a seed file may use (SET, HSET, SADD, ZADD, RPUSH, DEL, EXPIRE, …)`);
    commands.push(args);
  });
  return commands;
}
