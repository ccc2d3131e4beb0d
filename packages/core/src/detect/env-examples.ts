/** `.env.example` and friends: variable names and URL hosts name the database and services. */
import type { ProjectFileSource } from './files.js';
import { base, type Findings } from './findings.js';
import type { StackEvidence } from './types.js';

/** Only names and hosts are used from env examples: values are never copied into the output. */
export function fromEnvExamples(files: ProjectFileSource, out: Findings): void {
  for (const path of files.paths) {
    if (!/^\.env/.test(base(path))) continue; // files.ts lists only example env files
    const text = files.read(path);
    if (!text) continue;
    const lines = text.split('\n');
    lines.forEach((raw, i) => {
      const m = /^\s*(?:export\s+)?([A-Za-z_][\w]*)\s*=\s*(.*)$/.exec(raw);
      if (!m) return;
      const [, name, value] = m;
      const line = i + 1;
      const ev = (detail: string): StackEvidence => ({ file: path, line, detail });
      const host =
        /^["']?[a-z][\w+.-]*:\/\/(?:[^@/\s]*@)?([^/:?\s"']+)/i.exec(value)?.[1]?.toLowerCase() ??
        (/HOST$/.test(name) ? value.replace(/["'\s]/g, '').toLowerCase() : '');
      const scheme = /^["']?([a-z][\w+.-]*):\/\//i.exec(value)?.[1]?.toLowerCase();
      if (host.endsWith('tidbcloud.com') || /^TIDB_/.test(name))
        out.add('database', 'TiDB', ev(host.endsWith('tidbcloud.com') ? `${name} points at a TiDB Cloud host (tidbcloud.com)` : `${name}`));
      else if (host.endsWith('neon.tech')) out.add('database', 'Neon', ev(`${name} points at a Neon host (neon.tech)`));
      else if (host.endsWith('supabase.co') || host.endsWith('supabase.com') || /^(NEXT_PUBLIC_|PUBLIC_|VITE_)?SUPABASE_URL$/.test(name))
        out.add('database', 'Supabase', ev(`${name}`));
      else if (host.endsWith('upstash.io') || /^UPSTASH_REDIS_/.test(name)) out.add('database', 'Upstash Redis', ev(`${name}`));
      else if (/^HASURA_GRAPHQL_/.test(name)) out.add('database', 'Hasura', ev(`${name}`));
      else if (scheme === 'postgres' || scheme === 'postgresql') out.add('database', 'PostgreSQL', ev(`${name} is a postgres:// URL`));
      else if (scheme === 'mysql') out.add('database', 'MySQL', ev(`${name} is a mysql:// URL`));
      else if (scheme === 'redis' || scheme === 'rediss') out.add('database', 'Redis', ev(`${name} is a redis:// URL`));
      if (/CLERK_(SECRET|PUBLISHABLE)_KEY$/.test(name)) out.add('auth', 'Clerk', ev(name));
      if (/^(NEXTAUTH_(SECRET|URL)|AUTH_SECRET)$/.test(name)) out.add('auth', 'Auth.js', ev(name));
      if (/^STRIPE_(SECRET_KEY|WEBHOOK_SECRET)$|^NEXT_PUBLIC_STRIPE_/.test(name)) out.add('billing', 'Stripe', ev(name));
      if (name === 'RESEND_API_KEY') out.add('email', 'Resend', ev(name));
    });
  }
}
