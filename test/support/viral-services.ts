import { URL } from 'node:url';
import { Hit, TargetServer } from './target-server';

export interface FakeReel {
  id: string;
  views: number;
  likes?: number;
  comments?: number;
  posted_at: string;
  caption?: string;
}

/** A promise the test resolves to let held requests through. */
export class Gate {
  private release!: () => void;
  readonly opened = new Promise<void>((resolve) => (this.release = resolve));
  open(): void {
    this.release();
  }
}

/**
 * Loopback stand-ins for the viral-ideas analysis's three downstream services (README "Viral-ideas
 * analysis"): profile data, transcripts and idea generation. Tests set their data, make a
 * username fail or hang, and hold a service behind a gate to watch the run in a given step.
 */
export class FakeViralServices {
  readonly profiles = new Map<string, { followers: number; reels: FakeReel[] }>();
  readonly transcripts = new Map<string, string>();
  ideas: unknown[] = [{ title: 'Idea one', hook: 'Why does nobody post this?' }];
  /** Usernames whose profile requests answer 500. */
  readonly failing = new Set<string>();
  /** Usernames whose first profile request is never answered (a worker stays inside the fetch). */
  readonly hangOnce = new Set<string>();
  gates: { profiles?: Gate; transcripts?: Gate; ideas?: Gate } = {};

  private constructor(
    readonly profileServer: TargetServer,
    readonly transcriptServer: TargetServer,
    readonly ideaServer: TargetServer,
  ) {}

  static async start(): Promise<FakeViralServices> {
    const services = new FakeViralServices(await TargetServer.start(), await TargetServer.start(), await TargetServer.start());
    services.profileServer.respond((req, res, hit, n) => void services.answerProfile(hit, n, res));
    services.transcriptServer.respond((req, res, hit) => void services.answerTranscript(hit, res));
    services.ideaServer.respond((req, res) => void services.answerIdeas(res));
    return services;
  }

  env(): Record<string, string> {
    return {
      PROFILE_SERVICE_URL: this.profileServer.url(''),
      TRANSCRIPT_SERVICE_URL: this.transcriptServer.url(''),
      ANALYSIS_SERVICE_URL: this.ideaServer.url(''),
    };
  }

  /** Profile requests for `username`, with their `since` parameter. */
  profileHits(username: string): Array<{ since: string | null; at: number }> {
    return this.profileServer.hits
      .map((hit) => ({ url: new URL(hit.path, 'http://x'), at: hit.at }))
      .filter(({ url }) => url.pathname === `/profiles/${username}`)
      .map(({ url, at }) => ({ since: url.searchParams.get('since'), at }));
  }

  ideaRequests(): unknown[] {
    return this.ideaServer.hits.map((hit) => JSON.parse(hit.body));
  }

  async close(): Promise<void> {
    this.gates = {};
    await Promise.all([this.profileServer.close(), this.transcriptServer.close(), this.ideaServer.close()]);
  }

  private async answerProfile(hit: Hit, n: number, res: import('node:http').ServerResponse): Promise<void> {
    const url = new URL(hit.path, 'http://x');
    const username = decodeURIComponent(url.pathname.replace(/^\/profiles\//, ''));
    if (this.hangOnce.has(username) && n === 1) return;
    await this.gates.profiles?.opened;
    if (this.failing.has(username)) return json(res, 500, { error: 'profile backend down' });
    const profile = this.profiles.get(username);
    if (!profile) return json(res, 404, { error: 'no such profile' });
    const since = url.searchParams.get('since');
    json(res, 200, { username, followers: profile.followers, reels: profile.reels.filter((r) => !since || r.posted_at > since) });
  }

  private async answerTranscript(hit: Hit, res: import('node:http').ServerResponse): Promise<void> {
    await this.gates.transcripts?.opened;
    const text = this.transcripts.get(decodeURIComponent(hit.path.replace(/^\/transcripts\//, '')));
    if (text === undefined) return json(res, 404, { error: 'no transcript' });
    json(res, 200, { text });
  }

  private async answerIdeas(res: import('node:http').ServerResponse): Promise<void> {
    await this.gates.ideas?.opened;
    json(res, 200, { ideas: this.ideas });
  }
}

function json(res: import('node:http').ServerResponse, status: number, body: unknown): void {
  if (res.destroyed) return;
  res.statusCode = status;
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(body));
}
