/**
 * A small checker of JSON answers against the OpenAPI document's schemas, enough for our DTOs: $ref, allOf,
 * nullable, object (required, declared properties, additionalProperties), array, enum and the scalar types.
 * An object field the schema does not declare is a violation unless additionalProperties allows it, so an
 * answer that grew a field without its DTO shows up.
 */
export interface Schema {
  $ref?: string;
  allOf?: Schema[];
  type?: string;
  nullable?: boolean;
  enum?: unknown[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
}

export function schemaViolations(schemas: Record<string, Schema>, schema: Schema, value: unknown, at = '$'): string[] {
  if (schema.$ref) return schemaViolations(schemas, schemas[schema.$ref.split('/').pop()!], value, at);
  if (value === null) return schema.nullable ? [] : [`${at}: null but not nullable`];
  if (schema.allOf) return schema.allOf.flatMap((part) => schemaViolations(schemas, part, value, at));
  if (schema.enum && !schema.enum.includes(value)) {
    return [`${at}: ${JSON.stringify(value)} not in ${JSON.stringify(schema.enum)}`];
  }
  switch (schema.type) {
    case 'string':
    case 'boolean':
      return typeof value === schema.type ? [] : [`${at}: expected ${schema.type}, got ${typeof value}`];
    case 'number':
    case 'integer':
      return typeof value === 'number' ? [] : [`${at}: expected number, got ${typeof value}`];
    case 'array':
      if (!Array.isArray(value)) return [`${at}: expected array`];
      return schema.items
        ? value.flatMap((item, i) => schemaViolations(schemas, schema.items!, item, `${at}[${i}]`))
        : [];
    case 'object':
    case undefined: {
      if (!schema.properties && schema.additionalProperties === undefined) return [];
      if (typeof value !== 'object' || Array.isArray(value)) return [`${at}: expected object`];
      const record = value as Record<string, unknown>;
      const problems = (schema.required ?? []).filter((key) => !(key in record)).map((key) => `${at}.${key}: missing`);
      for (const [key, field] of Object.entries(record)) {
        const declared = schema.properties?.[key];
        if (declared) problems.push(...schemaViolations(schemas, declared, field, `${at}.${key}`));
        else if (typeof schema.additionalProperties === 'object') {
          problems.push(...schemaViolations(schemas, schema.additionalProperties, field, `${at}.${key}`));
        } else if (schema.additionalProperties !== true) problems.push(`${at}.${key}: not in the schema`);
      }
      return problems;
    }
    default:
      return [];
  }
}
