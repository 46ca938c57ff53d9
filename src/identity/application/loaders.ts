import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { User } from '../domain/user.entity.js';

/** Per-request batch loaders: every user looked up by id in one request costs one query per tick. */
export function createLoaders(em: EntityManager) {
  return {
    user: new DataLoader<string, User | undefined>(async (ids) => {
      const users = await em.find(User, { id: { $in: [...ids] } });
      const byId = new Map(users.map((u) => [u.id, u]));
      return ids.map((id) => byId.get(id));
    }),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
