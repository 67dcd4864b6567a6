/**
 * zod for every schema we ship: `zod/mini` (the same core as classic `zod`, without its ~450 KB of
 * method-chaining classes and all 64 locales, which every start compiled), with the English messages
 * classic `zod` gives. Our errors embed zod's issue messages ("Invalid input: expected string,
 * received number"); `zod/mini` configures no locale and would say "Invalid input" alone. Import it
 * from here (`import * as z from '…/base/zod.js'`), never from `zod` or `zod/mini` directly, so no
 * schema can parse before this runs.
 */
import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

// Classic zod's own rule (`_ensureDefaultLocale`): English only when no locale is set, so an
// application that configured its own with `config(...)` keeps it.
if (!config().localeError) config(en());

// Re-exported name by name (`import * as z from` this module), never as one namespace object: a
// namespace passed around as a value makes esbuild keep every export of zod/mini and all 64 locales.
export * from 'zod/mini';
