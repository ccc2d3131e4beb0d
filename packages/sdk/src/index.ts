import { z } from 'zod';
import {
  configSchema,
  loopSchema,
  type CaptureColumns,
  type ConfigInput,
  type DbFlavor,
  type Limits,
  type Loop,
  type LoopInput,
  type UnsubscribeOptions,
} from './schema.js';

export * from './schema.js';

/** A loop, validated when the config is loaded (the editor never runs this: it reads the file statically). */
export function defineLoop<const T extends LoopInput>(loop: T): T {
  loopSchema.parse(loop);
  return loop;
}

export function defineConfig<const T extends ConfigInput>(config: T): T {
  configSchema.parse(config);
  return config;
}

/** What a config file may export: one loop, an array of loops, or a whole config. */
export type ConfigExport = LoopInput | LoopInput[] | ConfigInput;

/** Normalises any accepted export to `{ loops }` with every loop given its id (explicit, or `<type>-<n>`). */
export function normalizeConfig(exported: unknown): {
  loops: (Loop & { id: string })[];
  database?: { url?: string; token?: string; allowFunctions?: string[]; flavor?: DbFlavor; capture?: Record<string, CaptureColumns> };
  users?: { table?: string; key?: string; email?: string; name?: string };
  email?: { from?: string; unsubscribe?: UnsubscribeOptions };
  limits?: Limits;
} {
  const config = Array.isArray(exported)
    ? configSchema.parse({ loops: exported })
    : exported && typeof exported === 'object' && 'loops' in exported
      ? configSchema.parse(exported)
      : configSchema.parse({ loops: [exported] });
  const ids = loopIds(config.loops);
  return { ...config, loops: config.loops.map((loop, i) => ({ ...loop, id: ids[i] })) };
}

/** Every loop's id, in one pass: explicit, or `activation-1` — the type and its 1-based position among loops of that type. */
export function loopIds(loops: readonly { id?: string; type: string }[]): string[] {
  const seen = new Map<string, number>();
  return loops.map((loop) => {
    const n = (seen.get(loop.type) ?? 0) + 1;
    seen.set(loop.type, n);
    return loop.id || `${loop.type}-${n}`;
  });
}

/** One loop's id (see `loopIds`). */
export function loopId(loop: { id?: string; type: string }, index: number, all: readonly { type: string }[]): string {
  return loop.id || loopIds(all.slice(0, index + 1))[index];
}

/** The schema as JSON Schema (draft 2020-12), for editors and other tools. */
export function configJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(z.union([loopSchema, z.array(loopSchema), configSchema]), { io: 'input' }) as Record<string, unknown>;
}
