/**
 * zod's functional API (`zod/mini`) with zod's English messages: what the schemas of the functions that need no more
 * than a few schemas are written in. A bundle with only these carries about a quarter of zod's method-chaining API
 * (`import * as z from 'zod'`), which configures the same English messages when it loads; `zod/mini` configures
 * none, and an issue without a message of its own would read "Invalid input".
 */
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';

z.config(en());

export * from 'zod/mini';
