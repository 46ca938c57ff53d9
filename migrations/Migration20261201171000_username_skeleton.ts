import { Migration } from '@mikro-orm/migrations';
import { usernameSkeleton } from '../src/identity/domain/username-skeleton.js';

/** Rows updated per statement while filling the column. */
const BATCH = 1000;

/**
 * The skeleton for each existing account, oldest first. Where two accounts already have lookalike
 * usernames (`alice`, then `aIice`), the older keeps the plain skeleton, which blocks every new
 * lookalike, and each later one gets its skeleton suffixed with `#` and its id: unique, and never
 * equal to the skeleton of a username (`#` is not allowed in one). Nobody is renamed; a later
 * account gets the plain skeleton again if it changes its username to one that is free.
 */
export function assignUsernameSkeletons(
  rows: readonly { id: string; username: string }[],
): { id: string; skeleton: string }[] {
  const seen = new Set<string>();
  return rows.map(({ id, username }) => {
    const skeleton = usernameSkeleton(username);
    if (seen.has(skeleton)) return { id, skeleton: `${skeleton}#${id}` };
    seen.add(skeleton);
    return { id, skeleton };
  });
}

/**
 * `users.username_skeleton`: the confusable skeleton of the username (username-skeleton.ts) under a
 * unique index, so that `aIice` and `alice` cannot both be registered. The column is added
 * nullable, filled in TypeScript from the existing rows (the confusables table is not in SQL), then
 * made NOT NULL and unique, all in the migration's transaction.
 */
export class Migration20261201171000_username_skeleton extends Migration {
  override async up(): Promise<void> {
    await this.execute(`alter table "users" add column "username_skeleton" text null;`);
    const rows = (await this.execute(
      `select "id", "username" from "users" order by "created_at", "id";`,
    )) as { id: string; username: string }[];
    const assigned = assignUsernameSkeletons(rows);
    for (let start = 0; start < assigned.length; start += BATCH) {
      const batch = assigned.slice(start, start + BATCH);
      await this.execute(
        `update "users" as u set "username_skeleton" = v.skeleton
           from (values ${batch.map(() => '(?::uuid, ?::text)').join(', ')}) as v(id, skeleton)
          where u."id" = v.id;`,
        batch.flatMap(({ id, skeleton }) => [id, skeleton]),
      );
    }
    this.addSql(`alter table "users" alter column "username_skeleton" set not null;`);
    this.addSql(
      `alter table "users" add constraint "users_username_skeleton_unique" unique ("username_skeleton");`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "users" drop constraint "users_username_skeleton_unique";`);
    this.addSql(`alter table "users" drop column "username_skeleton";`);
  }
}
