/**
 * The bare ceiling: Apollo Server 5 on Express 5 with a one-field schema and nothing of the
 * service (no request scope, no limits, no database), started by the benchmark as its own
 * process so that `{ hello }` here and `{ __typename }` on the service are measured alike.
 */
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';

async function main(): Promise<void> {
  const apollo = new ApolloServer({
    typeDefs: 'type Query { hello: String }',
    resolvers: { Query: { hello: () => 'world' } },
  });
  await apollo.start();
  const app = express();
  app.get('/readyz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.use('/graphql', express.json(), expressMiddleware(apollo));
  const server = app.listen(Number(process.env.PORT));
  process.once('SIGTERM', () => {
    server.close();
    server.closeAllConnections();
    void apollo.stop().then(() => process.exit(0));
  });
}

void main();
