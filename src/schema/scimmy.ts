import SCIMMY from 'scimmy';

/**
 * scimmy keeps schemas in a global registry; this module is the one place that configures it:
 * the User schema carries the Enterprise User extension (RFC 7643 §4.3), optional on every user, and
 * its canonical values are suggestions, not a closed set (see relaxCanonicalValues).
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
    relaxCanonicalValues(User.definition);
    relaxCanonicalValues(SCIMMY.Schemas.EnterpriseUser.definition);
  }
  return SCIMMY;
}

/** Suggested canonical values by `<schema id>|<attribute>[|<sub-attribute>]`, as scimmy declared them. */
const suggested = new Map<string, readonly string[]>();

/**
 * RFC 7643 §7: canonicalValues are "a collection of suggested canonical values that MAY be used";
 * §8.7.1 lists none for roles, entitlements or x509Certificates, and work/home/other for e-mails are
 * examples. scimmy refuses any other value (Entra's "WindowsAzureActiveDirectoryRole" role type), so
 * the check is switched off on the inbound schemas; /Schemas still lists the values (describeSchema).
 */
function relaxCanonicalValues(definition: SCIMMY.Types.SchemaDefinition): void {
  const relax = (attribute: SCIMMY.Types.Attribute, key: string) => {
    const config = attribute.config as { canonicalValues?: unknown };
    if (Array.isArray(config.canonicalValues)) {
      suggested.set(key, config.canonicalValues as string[]);
      config.canonicalValues = false;
    }
    for (const sub of attribute.subAttributes ?? []) relax(sub, `${key}|${sub.name}`);
  };
  for (const attribute of definition.attributes) {
    if (attribute instanceof SCIMMY.Types.SchemaDefinition) continue;
    relax(attribute as SCIMMY.Types.Attribute, `${definition.id}|${attribute.name}`);
  }
}

/** A schema as /Schemas serves it (RFC 7643 §7), with the suggested canonical values listed. */
export function describeSchema(definition: SCIMMY.Types.SchemaDefinition): Record<string, unknown> {
  scimmy();
  const description = JSON.parse(JSON.stringify(definition.describe())) as Record<string, unknown>;
  const restore = (attributes: unknown, key: string) => {
    if (!Array.isArray(attributes)) return;
    for (const attribute of attributes as Record<string, unknown>[]) {
      const own = `${key}|${String(attribute.name)}`;
      const values = suggested.get(own);
      if (values) attribute.canonicalValues = [...values];
      restore(attribute.subAttributes, own);
    }
  };
  restore(description.attributes, String(description.id));
  return description;
}

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE_USER_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const LIST_RESPONSE_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const PATCH_OP_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
