import { randomBytes } from 'node:crypto';
import mongoose, { Connection, Model, Schema } from 'mongoose';
import { TEST_MONGO_URL } from './paths';

/**
 * True when the shared server is FerretDB (test/support/mongo-setup.js tells). FerretDB v1 checks an
 * update's filter on a read and then writes the document back by `_id`, so two updates of one
 * document at the same moment can both apply, the later replacing the earlier (DESIGN §2): a
 * guarded update is atomic on MongoDB only, and tests of that race run there.
 */
export const ON_FERRETDB = process.env.CONVEYOR_TEST_MONGO_SERVER === 'ferretdb';

/**
 * A database of one medium suite's own on the shared Mongo-wire server (the one `npm test` and
 * `npm run services` start), dropped by `drop()`. Its models are built from the repositories' real
 * schemas, with their indexes; importing `@conveyor/database` applies the same global query
 * settings (sanitizeFilter, strictQuery) as the apps.
 */
export class TestDatabase {
  private constructor(
    readonly connection: Connection,
    readonly name: string,
  ) {}

  static async open(): Promise<TestDatabase> {
    const name = `conveyor_medium_${randomBytes(4).toString('hex')}`;
    const url = new URL(TEST_MONGO_URL);
    url.pathname = `/${name}`;
    const connection = await mongoose.createConnection(url.toString(), { serverSelectionTimeoutMS: 5_000 }).asPromise();
    return new TestDatabase(connection, name);
  }

  /** The model of `schema`, once its indexes exist (unique-key claims depend on them). */
  async model<T>(name: string, schema: Schema<T>): Promise<Model<T>> {
    const model = this.connection.model<T>(name, schema);
    await model.init();
    return model;
  }

  async drop(): Promise<void> {
    await this.connection.dropDatabase();
    await this.connection.close();
  }
}
