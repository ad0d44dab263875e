import { z } from 'zod';
import { ConfigSchema, SecretSchema } from './schema.js';

/** The JSON Schema of the config file (what a user may write, so defaults are not required). */
export function configJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(ConfigSchema, {
    io: 'input',
    target: 'draft-2020-12',
    override(ctx) {
      // "exactly one source" is a refinement in zod; spell it out for JSON Schema tools too.
      if (ctx.zodSchema === SecretSchema) {
        ctx.jsonSchema.oneOf = [
          { required: ['from_env'] },
          { required: ['keyring'] },
          { required: ['command'] },
        ];
      }
    },
  }) as Record<string, unknown>;
}
