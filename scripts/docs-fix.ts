/**
 * `npm run docs:fix`: regenerates what is generated from the code, here the OpenAPI document
 * (docs/openapi.json and the compressed copy functions/openapi/ serves), and says which changes would break
 * clients: those need `API-Breaking-Change: <why>` in the commit that makes them.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { compressedDocumentModule } from '../shared/openapi/compressed-document.js';
import { breakingChanges, breakingChangeTrailer } from './openapi-breaking-changes.js';
import {
  bulwarkOpenApiDocument,
  compressedDocumentFile,
  documentText,
  openApiDocumentFile,
  repositoryRoot,
} from './openapi-document.js';

const document = await bulwarkOpenApiDocument();
const previous = existsSync(openApiDocumentFile)
  ? (JSON.parse(readFileSync(openApiDocumentFile, 'utf8')) as unknown)
  : undefined;
const text = documentText(document);
const changed = previous === undefined || documentText(previous as typeof document) !== text;
writeFileSync(openApiDocumentFile, text);
writeFileSync(compressedDocumentFile, compressedDocumentModule(document));
const name = relative(repositoryRoot, openApiDocumentFile);
console.log(changed ? `${name}: regenerated` : `${name}: unchanged`);
const breaking = previous === undefined ? [] : breakingChanges(previous, document);
if (breaking.length > 0) {
  console.log(`\n${breaking.length} breaking change(s) against the previous ${name}:`);
  for (const change of breaking) console.log(`  ${change}`);
  console.log(
    `\nAcknowledge them in the commit that makes them: a line \`${breakingChangeTrailer} <why>\` in its message.`,
  );
}
