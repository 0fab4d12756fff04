/**
 * The tests that start processes (`npm run test:tools`): every *.tool.test.ts — the tools' command
 * lines (cli, doctor, diff against a git base), render's exit status, shell scripts run for real and
 * shellcheck. The unit tests are in jest.config.js (`npm test`); .ci/run runs both.
 */
const { all } = require("./jest.config.js");

module.exports = { ...all, testMatch: ["**/*.tool.test.ts"] };
