/** SKN023 SQL of another dialect: the rewrite analysis proposes (PostgreSQL `INTERVAL '7 days'` → MySQL `INTERVAL 7 DAY`). */
import { attachedFixes, editsOnly } from './shared.js';
export const rewriteSqlDialect = attachedFixes(editsOnly);
