import { SmsOutboxMessage } from '../src/adapters/sms/sms-outbox.entity.js';
import { runCommand, withOrm } from './with-orm.js';

/** `npm run sms:outbox [-- <count>]`: prints the latest messages of the development SMS sender. */
runCommand(() =>
  withOrm(async (orm) => {
    const count = Number(process.argv[2] ?? 10) || 10;
    const messages = await orm.em
      .fork()
      .find(SmsOutboxMessage, {}, { orderBy: { createdAt: 'desc' }, limit: count });
    if (messages.length === 0) console.log('the SMS outbox is empty');
    for (const m of messages.reverse()) console.log(`${m.createdAt.toISOString()}  ${m.phone}  ${m.body}`);
    return 0;
  }),
);
