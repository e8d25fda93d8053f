import { en } from 'zod/locales';
import { config } from 'zod/mini';

// zod/mini loads no locale: without English every issue's message would be "Invalid input", and our
// 400s and district config errors show these messages. `z.locales.en()` would bundle every locale
// (~260 KB); this one costs ~3 KB.
config(en());

export * from 'zod/mini';
