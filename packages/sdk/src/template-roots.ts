/**
 * What `{{…}}` placeholders may start with. A module of its own, without zod: a render thread
 * resolves placeholders too, and loading the whole schema there was ~100 ms of its start.
 */
export const TEMPLATE_ROOTS = ['user', 'row', 'match', 'loop', 'now'] as const;
