/** `npx tsx examples/orders-api/openapi.ts`: regenerates the app's OpenAPI document and its bundled copy. */
import { writeFileSync } from 'node:fs';
import { compressedDocumentModule } from 'bulwark/openapi';
import { compressedDocumentFile, documentFile, ordersOpenApiDocument } from './openapi-document.js';

const document = await ordersOpenApiDocument();
writeFileSync(documentFile, `${JSON.stringify(document, null, 2)}\n`);
writeFileSync(compressedDocumentFile, compressedDocumentModule(document));
console.log(`${documentFile}: written`);
