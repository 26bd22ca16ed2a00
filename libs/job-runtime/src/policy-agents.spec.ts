import { OutboundPolicy, checkOutboundUrl } from '@conveyor/contracts';
import { Agent, Server, createServer, get } from 'node:http';
import { get as httpsGet } from 'node:https';
import { AddressInfo } from 'node:net';
import { AddressRefusedError, PolicyHttpAgent, PolicyHttpsAgent } from './policy-agents';

const development: OutboundPolicy = { allowedHosts: ['*'], allowLoopback: true, allowPrivate: false };
const production: OutboundPolicy = { ...development, allowLoopback: false };

/** GET through `agent`: the status code, or the error the request failed with. */
function fetchWith(agent: Agent, url: string): Promise<number | Error> {
  return new Promise((resolve) => {
    (url.startsWith('https:') ? httpsGet : get)(url, { agent }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on('error', resolve);
  });
}

describe(PolicyHttpAgent.name, () => {
  let server: Server;
  let port: number;
  let hits = 0;

  beforeAll(async () => {
    server = createServer((_req, res) => {
      hits++;
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  const urls = () => [`http://127.0.0.1:${port}/`, `http://[::ffff:127.0.0.1]:${port}/`, `http://localhost:${port}/`];

  it.each([
    ['development', development],
    ['production', production],
  ])('connects exactly where the submit-time check allows (%s)', async (_name, policy) => {
    const agent = new PolicyHttpAgent(policy);
    try {
      for (const url of urls()) {
        const outcome = await fetchWith(agent, url);
        const allowedAtSubmit = checkOutboundUrl(url, policy).allowed;
        expect([url, outcome === 200]).toEqual([url, allowedAtSubmit]);
        if (!allowedAtSubmit) expect([url, outcome]).toEqual([url, expect.any(AddressRefusedError)]);
      }
    } finally {
      agent.destroy();
    }
  });

  it('refuses a name by the addresses it resolves to, before any byte is sent', async () => {
    const agent = new PolicyHttpAgent(production);
    const before = hits;
    try {
      const outcome = await fetchWith(agent, `http://localhost:${port}/`);
      expect(outcome).toBeInstanceOf(AddressRefusedError);
      expect((outcome as Error).message).toMatch(/^localhost resolves to (127\.0\.0\.1|::1): loopback targets are not allowed/);
      expect(hits).toBe(before);
    } finally {
      agent.destroy();
    }
  });

  it('guards https connections the same way', async () => {
    const agent = new PolicyHttpsAgent(production);
    try {
      expect(await fetchWith(agent, `https://[::ffff:127.0.0.1]:${port}/`)).toBeInstanceOf(AddressRefusedError);
    } finally {
      agent.destroy();
    }
  });
});
