import { freePort } from './ports';
import { ServerProcess } from './server-process';

// Plain Node helpers shared with `npm run services`.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const services = require('../../scripts/local-services') as {
  privateMongoCommand(port: number, dir: string): Promise<{ command: string; args: string[] }>;
  mongoAnswers(url: string): Promise<boolean>;
};

/**
 * A private Mongo-wire server (mongod if installed, else FerretDB, on PostgreSQL where one runs) for a fault test that kills and
 * restarts its database (RELIABILITY F11); every other suite shares the one `npm test` starts.
 * Its data survives restarts (in its folder, or in PostgreSQL).
 */
export class MongoServer extends ServerProcess {
  private constructor(readonly port: number) {
    super('conveyor-mongo-', async (dir) => ({
      ...(await services.privateMongoCommand(port, dir)),
      answers: () => services.mongoAnswers(`mongodb://127.0.0.1:${port}/admin`),
      what: `a Mongo-wire server on port ${port}`,
    }));
  }

  static async start(): Promise<MongoServer> {
    const server = new MongoServer(await freePort());
    await server.launch();
    return server;
  }

  /** The server's URL with `database` as the path. */
  url(database: string): string {
    return `mongodb://127.0.0.1:${this.port}/${database}`;
  }
}
