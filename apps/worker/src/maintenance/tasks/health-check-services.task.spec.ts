import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { probe } from './health-check-services.task';

describe('health-check-services probe', () => {
  let server: Server;
  let base: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/hang') return; // never answers
      res.statusCode = req.url === '/broken' ? 503 : req.url === '/missing' ? 404 : 200;
      res.end('body');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('calls a service up when it answers below 500, with its status code and latency', async () => {
    expect(await probe(`${base}/`)).toMatchObject({ status: 'up', statusCode: 200, error: null, latencyMs: expect.any(Number) });
    expect(await probe(`${base}/missing`)).toMatchObject({ status: 'up', statusCode: 404 });
  });

  it('calls it down on a 5xx, a refused connection, or no answer in time', async () => {
    expect(await probe(`${base}/broken`)).toMatchObject({ status: 'down', statusCode: 503, error: 'answered 503' });
    expect(await probe('http://127.0.0.1:1/')).toMatchObject({
      status: 'down',
      statusCode: null,
      error: expect.stringContaining('fetch failed'),
    });
    const hung = await probe(`${base}/hang`, 200);
    expect(hung).toMatchObject({ status: 'down', statusCode: null });
    expect(hung.latencyMs).toBeGreaterThanOrEqual(150);
  });
});
