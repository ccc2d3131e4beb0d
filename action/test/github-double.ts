/**
 * A GitHub REST API double on 127.0.0.1: the calls the action makes, in GitHub's wire format
 * (JSON bodies, `Link` pagination headers with absolute URLs, 401/403 error documents), with
 * every request recorded. Tokens decide who is calling:
 *   - an installation token (like GITHUB_TOKEN) writes as `github-actions[bot]` and gets 403
 *     "Resource not accessible by integration" from `GET /user`;
 *   - a personal token writes as its user and `GET /user` answers;
 *   - a read-only token (fork pull requests) may read but every write answers 403.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface DoubleUser {
  login: string;
  id: number;
  type: 'User' | 'Bot';
}

export interface TokenGrant {
  user: DoubleUser;
  /** Installation tokens cannot call `GET /user`. */
  installation: boolean;
  readOnly: boolean;
}

export interface DoubleComment {
  id: number;
  issue: number;
  body: string;
  user: DoubleUser;
  created_at: string;
  updated_at: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  token?: string;
  body?: unknown;
  status: number;
}

export const BOT: DoubleUser = { login: 'github-actions[bot]', id: 41898282, type: 'Bot' };
export const HUMAN: DoubleUser = { login: 'octocat', id: 583231, type: 'User' };
export const OTHER_BOT: DoubleUser = { login: 'codecov[bot]', id: 22429695, type: 'Bot' };

const NOT_ACCESSIBLE = 'Resource not accessible by integration';

/** GitHub stores a body as UTF-8 bytes: a lone surrogate comes back as U+FFFD. */
function asStored(body: string): string {
  return Buffer.from(body, 'utf8').toString('utf8');
}

export class GitHubDouble {
  readonly requests: RecordedRequest[] = [];
  readonly tokens = new Map<string, TokenGrant>();
  readonly commits = new Map<string, string>();
  /** When set, every POST/PATCH answers this status (a GitHub outage). */
  failWrites?: number;
  private readonly comments: DoubleComment[] = [];
  private nextId = 1_000_001;
  private server?: Server;
  private clock = Date.parse('2026-01-01T00:00:00Z');
  url = '';

  constructor(
    readonly owner = 'acme',
    readonly repo = 'app',
  ) {
    this.tokens.set('ghs_installation_token', { user: BOT, installation: true, readOnly: false });
    this.tokens.set('ghs_read_only_token', { user: BOT, installation: true, readOnly: true });
    this.tokens.set('ghp_personal_token', { user: HUMAN, installation: false, readOnly: false });
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      void this.handle(req, res).catch((error: unknown) => {
        this.send(res, 500, { message: String(error) });
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
    return this;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  /** A comment written by someone else (or an earlier run), as if it were already on the issue. */
  addComment(issue: number, user: DoubleUser, body: string): DoubleComment {
    const now = this.tick();
    const comment = { id: this.nextId++, issue, body: asStored(body), user, created_at: now, updated_at: now };
    this.comments.push(comment);
    return comment;
  }

  commentsOn(issue: number): DoubleComment[] {
    return this.comments.filter((c) => c.issue === issue);
  }

  /** Requests other than reads. */
  writes(): RecordedRequest[] {
    return this.requests.filter((r) => r.method !== 'GET');
  }

  clearRequests(): void {
    this.requests.length = 0;
  }

  private tick(): string {
    this.clock += 60_000;
    return new Date(this.clock).toISOString();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const method = req.method ?? 'GET';
    const raw = await readBody(req);
    let body: unknown;
    if (raw) {
      try {
        body = JSON.parse(raw);
      } catch {
        return this.reply(res, { method, url, status: 400 }, { message: 'Problems parsing JSON' });
      }
    }
    const auth = req.headers.authorization ?? '';
    const token = /^(?:token|bearer)\s+(.+)$/i.exec(auth)?.[1];
    const record = { method, url, token, body, status: 200 };
    const grant = token ? this.tokens.get(token) : undefined;
    if (!grant)
      return this.reply(res, { ...record, status: 401 }, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' });

    const path = url.pathname;
    if (this.failWrites && (method === 'POST' || method === 'PATCH')) {
      return this.reply(res, { ...record, status: this.failWrites }, { message: 'Server Error', status: String(this.failWrites) });
    }
    const repoPrefix = `/repos/${this.owner}/${this.repo}`;
    let m: RegExpExecArray | null;

    if (method === 'GET' && path === '/user') {
      if (grant.installation)
        return this.reply(res, { ...record, status: 403 }, forbidden('https://docs.github.com/rest/users/users#get-the-authenticated-user'));
      return this.reply(res, record, { ...userJson(grant.user), name: grant.user.login });
    }
    if (method === 'GET' && (m = new RegExp(`^${escape(repoPrefix)}/commits/([0-9a-f]{7,40})$`).exec(path))) {
      const date = this.commits.get(m[1]!);
      if (!date) return this.reply(res, { ...record, status: 422 }, { message: `No commit found for SHA: ${m[1]}`, status: '422' });
      return this.reply(res, record, { sha: m[1], commit: { author: { date }, committer: { date }, message: 'commit' } });
    }
    if ((m = new RegExp(`^${escape(repoPrefix)}/issues/(\\d+)/comments$`).exec(path))) {
      const issue = Number(m[1]);
      if (method === 'GET') return this.listComments(res, record, url, issue);
      if (method === 'POST') {
        if (grant.readOnly)
          return this.reply(res, { ...record, status: 403 }, forbidden('https://docs.github.com/rest/issues/comments#create-an-issue-comment'));
        const text = (body as { body?: unknown } | undefined)?.body;
        if (typeof text !== 'string' || !text) return this.reply(res, { ...record, status: 422 }, { message: 'Validation Failed', status: '422' });
        if (text.length > 65_536)
          return this.reply(
            res,
            { ...record, status: 422 },
            {
              message: 'Validation Failed',
              errors: [{ resource: 'IssueComment', code: 'custom', field: 'body', message: 'body is too long (maximum is 65536 characters)' }],
              status: '422',
            },
          );
        const comment = this.addComment(issue, grant.user, text);
        return this.reply(res, { ...record, status: 201 }, this.commentJson(comment));
      }
    }
    if ((m = new RegExp(`^${escape(repoPrefix)}/issues/comments/(\\d+)$`).exec(path))) {
      const comment = this.comments.find((c) => c.id === Number(m![1]));
      if (!comment) return this.reply(res, { ...record, status: 404 }, { message: 'Not Found', status: '404' });
      if (method === 'GET') return this.reply(res, record, this.commentJson(comment));
      if (method === 'PATCH') {
        if (grant.readOnly)
          return this.reply(res, { ...record, status: 403 }, forbidden('https://docs.github.com/rest/issues/comments#update-an-issue-comment'));
        if (comment.user.login !== grant.user.login)
          return this.reply(res, { ...record, status: 403 }, forbidden('https://docs.github.com/rest/issues/comments#update-an-issue-comment'));
        const text = (body as { body?: unknown } | undefined)?.body;
        if (typeof text !== 'string' || !text) return this.reply(res, { ...record, status: 422 }, { message: 'Validation Failed', status: '422' });
        comment.body = asStored(text);
        comment.updated_at = this.tick();
        return this.reply(res, record, this.commentJson(comment));
      }
    }
    return this.reply(res, { ...record, status: 404 }, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' });
  }

  private listComments(
    res: ServerResponse,
    record: { method: string; url: URL; token?: string; body?: unknown; status: number },
    url: URL,
    issue: number,
  ): void {
    const perPage = Math.min(100, Math.max(1, Number(url.searchParams.get('per_page') ?? 30) || 30));
    const page = Math.max(1, Number(url.searchParams.get('page') ?? 1) || 1);
    const all = this.commentsOn(issue);
    const last = Math.max(1, Math.ceil(all.length / perPage));
    const items = all.slice((page - 1) * perPage, page * perPage).map((c) => this.commentJson(c));
    const link = (p: number, rel: string) => {
      const u = new URL(url.pathname, this.url);
      u.searchParams.set('per_page', String(perPage));
      u.searchParams.set('page', String(p));
      return `<${u.href}>; rel="${rel}"`;
    };
    const links: string[] = [];
    if (page > 1) links.push(link(page - 1, 'prev'));
    if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'));
    if (page > 1) links.push(link(1, 'first'));
    this.reply(res, record, items, links.length ? { link: links.join(', ') } : {});
  }

  private commentJson(c: DoubleComment) {
    return {
      url: `${this.url}/repos/${this.owner}/${this.repo}/issues/comments/${c.id}`,
      html_url: `https://github.com/${this.owner}/${this.repo}/pull/${c.issue}#issuecomment-${c.id}`,
      issue_url: `${this.url}/repos/${this.owner}/${this.repo}/issues/${c.issue}`,
      id: c.id,
      node_id: `IC_${c.id}`,
      user: userJson(c.user),
      created_at: c.created_at,
      updated_at: c.updated_at,
      author_association: c.user.type === 'Bot' ? 'NONE' : 'MEMBER',
      body: c.body,
      reactions: { total_count: 0 },
    };
  }

  private reply(
    res: ServerResponse,
    record: { method: string; url: URL; token?: string; body?: unknown; status: number },
    payload: unknown,
    headers: Record<string, string> = {},
  ): void {
    this.requests.push({
      method: record.method,
      path: record.url.pathname,
      query: Object.fromEntries(record.url.searchParams),
      token: record.token,
      body: record.body,
      status: record.status,
    });
    this.send(res, record.status, payload, headers);
  }

  private send(res: ServerResponse, status: number, payload: unknown, headers: Record<string, string> = {}): void {
    const text = JSON.stringify(payload);
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(text),
      'x-github-media-type': 'github.v3; format=json',
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '4999',
      ...headers,
    });
    res.end(text);
  }
}

function forbidden(documentation: string) {
  return { message: NOT_ACCESSIBLE, documentation_url: documentation, status: '403' };
}

function userJson(user: DoubleUser) {
  return {
    login: user.login,
    id: user.id,
    node_id: `U_${user.id}`,
    type: user.type,
    site_admin: false,
    html_url: `https://github.com/${user.login.replace('[bot]', '')}`,
  };
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
