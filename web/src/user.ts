import type { Role } from '../../shared/domain/case';

/** The signed-in user as the pages know them: the token's claims and the token itself. */
export interface SignedInUser {
  sub: string;
  name: string;
  role: Role;
  department: string | null;
  zone: string | null;
  token: string;
}
