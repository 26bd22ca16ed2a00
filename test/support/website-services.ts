import { ServerResponse } from 'node:http';
import { TargetServer } from './target-server';
import { Gate } from './viral-services';

/**
 * A loopback small-business website for website analysis: a home page linking about, pricing and
 * contact pages (with a CTA, an email, a phone and an Instagram profile between them), a page that
 * redirects to a link-local address, and a JSON "page".
 */
export class FakeWebsite {
  private constructor(readonly server: TargetServer) {}

  static async start(): Promise<FakeWebsite> {
    const site = new FakeWebsite(await TargetServer.start());
    site.server.respond((req, res, hit) => site.answer(hit.path, res));
    return site;
  }

  url(path = '/'): string {
    return this.server.url(path);
  }

  close(): Promise<void> {
    return this.server.close();
  }

  private answer(path: string, res: ServerResponse): void {
    const html = (body: string, title: string) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><html lang="en"><head><title>${title}</title>
        <meta name="description" content="Bikes repaired while you wait."></head><body>${body}</body></html>`);
    };
    switch (path) {
      case '/':
        return html(
          `<h1>Spoke &amp; Chain</h1><h2>Repairs while you wait</h2>
           <p>Bicycle repairs, bicycle servicing and bicycle fitting in town.</p>
           <a href="/about">About us</a> <a href="/pricing">Pricing</a> <a href="/contact">Contact</a>
           <a class="button" href="/book">Book a service</a>
           <a href="https://www.instagram.com/spokeandchain/">Instagram</a>`,
          'Spoke & Chain — bicycle repairs',
        );
      case '/about':
        return html('<h1>About</h1><p>Two mechanics, one bicycle shop.</p>', 'About Spoke & Chain');
      case '/pricing':
        return html('<h1>Pricing</h1><p>Bicycle service from 40.</p><button>Get a quote</button>', 'Pricing');
      case '/contact':
        res.writeHead(302, { location: '/contact-us' });
        return void res.end();
      case '/contact-us':
        return html('<p>Write to <a href="mailto:hello@spoke.example">hello@spoke.example</a> or call +44 20 7946 0000.</p>', 'Contact');
      case '/to-metadata':
        res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' });
        return void res.end();
      case '/data.json':
        res.writeHead(200, { 'content-type': 'application/json' });
        return void res.end('{"not":"html"}');
      default:
        res.writeHead(404, { 'content-type': 'text/html' });
        return void res.end('<h1>Not found</h1>');
    }
  }
}

type Task = 'audiences' | 'pitches' | 'image' | 'blog_post';

/**
 * A loopback generation service (README "Services"): `POST /generate` `{ task, input }` →
 * `{ output }`. Tests read the tasks it was asked for, hold a task behind a gate, or make a task
 * answer with a status of their choosing.
 */
export class FakeGenerationService {
  readonly gates = new Map<Task, Gate>();
  readonly failures = new Map<Task, number>();

  private constructor(readonly server: TargetServer) {}

  static async start(): Promise<FakeGenerationService> {
    const service = new FakeGenerationService(await TargetServer.start());
    service.server.respond((req, res, hit) => void service.answer(hit.body, hit.headers.authorization, res));
    return service;
  }

  env(token = 'generation-token-1'): Record<string, string> {
    return { GENERATION_SERVICE_URL: this.server.url(''), GENERATION_SERVICE_TOKEN: token };
  }

  /** The tasks asked for, in order. */
  tasks(): Task[] {
    return this.server.hits.filter((h) => h.path === '/generate').map((h) => (JSON.parse(h.body) as { task: Task }).task);
  }

  requests(task: Task): Array<{ input: any; authorization?: string }> {
    return this.server.hits
      .filter((h) => h.path === '/generate')
      .map((h) => ({ ...(JSON.parse(h.body) as { task: Task; input: unknown }), authorization: h.headers.authorization }))
      .filter((r) => r.task === task);
  }

  close(): Promise<void> {
    for (const gate of this.gates.values()) gate.open();
    return this.server.close();
  }

  private async answer(body: string, authorization: string | undefined, res: ServerResponse): Promise<void> {
    const { task, input } = JSON.parse(body) as { task: Task; input: any };
    await this.gates.get(task)?.opened;
    const status = this.failures.get(task);
    if (status) {
      res.writeHead(status, { 'content-type': 'application/json' });
      return void res.end('{"error":"refused"}');
    }
    if (!authorization?.startsWith('Bearer ')) {
      res.writeHead(401);
      return void res.end();
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ output: this.output(task, input) }));
  }

  private output(task: Task, input: any): unknown {
    switch (task) {
      case 'audiences':
        return [
          { name: 'Commuters', description: `People who ride to work near ${input.title}`, painPoints: ['flat tyres'] },
          { name: 'Weekend riders', description: 'Club riders', painPoints: ['slow repairs'] },
          { name: 'broken item without a description' },
        ];
      case 'pitches':
        return [{ headline: `Ride on, ${input.audience.name}`, body: 'Fixed while you wait.', cta: 'Book a service' }];
      case 'image':
        return { imageUrl: `https://images.example/${encodeURIComponent(input.audience?.name ?? input.title)}.png` };
      case 'blog_post':
        return {
          title: `All about ${input.topic}`,
          content: `# ${input.topic}\n\nA post.`,
          metaDescription: `Read about ${input.topic}`,
          tags: ['bikes', 42, 'repair'],
        };
    }
  }
}
