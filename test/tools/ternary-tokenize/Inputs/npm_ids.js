// The token ids of a file by an npm package's own code, one a line: the
// reference the project's tokenizers are compared with.
//   node npm_ids.js gpt2 <gpt-3-encoder dir> FILE   (encode of the whole text)
//   node npm_ids.js bert <bert-tokenizer dir> FILE  (tokenize of each line)
const fs = require('fs');
const [kind, pkg, file] = process.argv.slice(2);
const text = fs.readFileSync(file, 'utf-8');
let ids = [];
if (kind === 'gpt2') {
  ids = require(pkg).encode(text);
} else if (kind === 'bert') {
  const {BertTokenizer} = require(pkg);
  const t = new BertTokenizer(pkg + '/assets/vocab.json', true);
  for (const line of text.split('\n'))
    if (line.length) ids = ids.concat(t.tokenize(line));
} else {
  throw new Error('unknown kind ' + kind);
}
console.log(ids.join('\n'));
