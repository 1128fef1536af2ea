/**
 * Just enough JSON Schema (OpenAPI 3.0 flavour) to check a request against OpenAI's published spec: $ref, allOf,
 * anyOf/oneOf, type (with `nullable`), enum, properties, required, additionalProperties, items, min/maxItems.
 * Other keywords are ignored, so it can only be more permissive than the spec, never stricter.
 */
type Schema = Record<string, unknown>;

export function validate(root: Schema, schema: Schema, value: unknown, at = "$"): string[] {
  if (typeof schema.$ref === "string") {
    const target = schema.$ref
      .replace(/^#\//, "")
      .split("/")
      .reduce<unknown>((node, key) => (node as Schema | undefined)?.[key], root) as Schema | undefined;
    if (!target) return [`${at}: unresolved ${schema.$ref}`];
    return validate(root, target, value, at);
  }
  const errors: string[] = [];
  if (Array.isArray(schema.allOf))
    for (const part of schema.allOf) errors.push(...validate(root, part as Schema, value, at));
  for (const key of ["anyOf", "oneOf"] as const) {
    const options = schema[key];
    if (Array.isArray(options)) {
      const results = options.map((option) => validate(root, option as Schema, value, at));
      if (!results.some((r) => r.length === 0))
        errors.push(`${at}: matches none of ${key} (${results.map((r) => r[0]).join(" | ")})`);
    }
  }
  if (value === null) {
    if (schema.nullable === true || schema.type === "null" || schema.type === undefined) return errors;
    return [...errors, `${at}: null`];
  }
  const type = schema.type;
  const actual = Array.isArray(value)
    ? "array"
    : typeof value === "number" && Number.isInteger(value)
      ? "integer"
      : typeof value;
  if (typeof type === "string" && type !== actual && !(type === "number" && actual === "integer"))
    return [...errors, `${at}: ${actual}, not ${type}`];
  if (Array.isArray(schema.enum) && !schema.enum.includes(value))
    errors.push(`${at}: ${JSON.stringify(value)} not in enum`);
  if (Array.isArray(value)) {
    if (typeof schema.minItems === "number" && value.length < schema.minItems)
      errors.push(`${at}: fewer than ${schema.minItems}`);
    if (typeof schema.maxItems === "number" && value.length > schema.maxItems)
      errors.push(`${at}: more than ${schema.maxItems}`);
    if (schema.items && typeof schema.items === "object")
      value.forEach((item, i) => {
        errors.push(...validate(root, schema.items as Schema, item, `${at}[${i}]`));
      });
  }
  if (actual === "object" && value !== null) {
    const object = value as Record<string, unknown>;
    const properties = (schema.properties ?? {}) as Record<string, Schema>;
    for (const name of (schema.required as string[] | undefined) ?? [])
      if (!(name in object)) errors.push(`${at}.${name}: required`);
    for (const [name, v] of Object.entries(object)) {
      if (properties[name]) errors.push(...validate(root, properties[name], v, `${at}.${name}`));
      else if (schema.additionalProperties === false) errors.push(`${at}.${name}: not allowed`);
    }
  }
  return errors;
}
