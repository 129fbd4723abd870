import SCIMMY from 'scimmy';

/**
 * scimmy keeps schemas in a global registry; this module is the one place that configures it:
 * the User schema carries the Enterprise User extension (RFC 7643 §4.3), optional on every user.
 */
let declared = false;
export function scimmy(): typeof SCIMMY {
  if (!declared) {
    declared = true;
    const User = SCIMMY.Schemas.User;
    const alreadyExtended = User.definition.attributes.some(
      (a: unknown) =>
        a instanceof SCIMMY.Types.SchemaDefinition && a.id === SCIMMY.Schemas.EnterpriseUser.definition.id,
    );
    // scimmy's typings want a Schema instance here; its code takes the class, as its docs show.
    if (!alreadyExtended) User.extend(SCIMMY.Schemas.EnterpriseUser as unknown as SCIMMY.Types.Schema, false);
  }
  return SCIMMY;
}

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE_USER_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const LIST_RESPONSE_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const PATCH_OP_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
