import type { OpenAPIObject } from '@nestjs/swagger';

/**
 * @nestjs/swagger has no class-level additionalProperties, so objects whose keys are partly dynamic (a coin's
 * `rsi<tf>` / `trend<tf>`, an action's type-specific extras) are marked with this decorator and opened up in the
 * built document by `openMarkedSchemas`.
 */
const OPEN_SCHEMAS = new Set<string>();

export function AllowsExtraFields(): ClassDecorator {
  return (target) => {
    OPEN_SCHEMAS.add(target.name);
  };
}

export function openMarkedSchemas(document: OpenAPIObject): void {
  const schemas = document.components?.schemas ?? {};
  for (const name of OPEN_SCHEMAS) {
    const schema = schemas[name];
    if (schema && !('$ref' in schema)) schema.additionalProperties = true;
  }
}
