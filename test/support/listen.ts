import type { INestApplication } from '@nestjs/common';
import type { AddressInfo } from 'node:net';

/** Listens on a loopback port (supertest buffers, so streams need a real server) and returns its URL. */
export async function listen(app: INestApplication): Promise<string> {
  await app.listen(0, '127.0.0.1');
  return `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
}
