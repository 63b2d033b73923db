/**
 * Child-process entry for the kill -9 scenario: the real CLI (`callcenterd run --config <file>`),
 * loaded through ts-register.js. Exits with the CLI's exit code.
 */
import { main } from '../../src/cli/main';

main(process.argv).then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`daemon-main: ${err.stack ?? err.message}\n`);
    process.exit(1);
  },
);
