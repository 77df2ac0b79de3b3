import { type TSchema, Type } from '@sinclair/typebox';
import { ROLES } from '../identity/index.js';

/** Schemas shared by several routes. Objects are closed (`additionalProperties: false`): unknown fields are refused. */
export const RoleSchema = Type.Union(
  ROLES.map((r) => Type.Literal(r)),
  { description: 'officer, analyst, liaison, supervisor, admin or auditor' },
);

export const ProblemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: Type.String({ description: 'Stable error code; see docs/errors.md' }),
    instance: Type.Optional(Type.String()),
    errors: Type.Optional(
      Type.Array(
        Type.Object({
          pointer: Type.String({ description: 'RFC 6901 JSON Pointer to the field; empty for the whole document' }),
          message: Type.String(),
          line: Type.Optional(Type.Integer({ description: 'Line of the XML document (DECL_XSD_INVALID)' })),
        }),
      ),
    ),
  },
  { $id: 'Problem', additionalProperties: true, description: 'RFC 9457 problem details' },
);

export const UserSchema = Type.Object(
  {
    id: Type.String(),
    username: Type.String(),
    displayName: Type.String(),
    roles: Type.Array(RoleSchema),
    disabled: Type.Boolean(),
    createdAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'User' },
);

export const TokenSchema = Type.Object(
  {
    id: Type.String(),
    userId: Type.String(),
    username: Type.String(),
    name: Type.String(),
    roles: Type.Array(RoleSchema),
    createdAt: Type.String(),
    expiresAt: Type.Union([Type.String(), Type.Null()]),
    revokedAt: Type.Union([Type.String(), Type.Null()]),
    lastUsedAt: Type.Union([Type.String(), Type.Null()]),
  },
  { $id: 'ApiToken' },
);

export const MeSchema = Type.Object({
  id: Type.String(),
  username: Type.String(),
  displayName: Type.String(),
  roles: Type.Array(RoleSchema),
  csrfToken: Type.Union([Type.String(), Type.Null()]),
  authMethod: Type.Union([Type.Literal('session'), Type.Literal('token')]),
});

export const IdParams = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 64 }) },
  { additionalProperties: false },
);

/** Standard error responses of an authenticated route, for the OpenAPI description. */
export function errorResponses(...statuses: number[]): Record<number, TSchema> {
  return Object.fromEntries([401, 403, ...statuses].map((s) => [s, Type.Ref('Problem')]));
}
