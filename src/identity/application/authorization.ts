import { forbidden } from '../../kernel/errors.js';
import { Role } from '../domain/enums.js';
import type { Principal } from '../domain/principal.js';

/** FORBIDDEN unless the caller is an admin. */
export function requireAdmin(principal: Principal): void {
  if (principal.role !== Role.ADMIN) throw forbidden('Admins only');
}
