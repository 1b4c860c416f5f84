/* One run lists every mistake of every file, each on its own located line. */
import { expect, it } from 'vitest';
import { FIXTURES, problemsOf } from './helpers.js';

it('lists each mistake of several files at once', async () => {
  const dir = `${FIXTURES}/several-mistakes`;
  expect(await problemsOf(dir)).toEqual([
    `${dir}/combined.yaml:4:20: rules[0].allOf[1]: no rule has id "travl" — did you mean "travel"?`,
    `${dir}/combined.yaml:5:13: rules[0].within: "half an hour" is not a duration (use 30s, 5m, 1h, 7d)`,
    `${dir}/exfil.yaml:5:15: rules[0].severity: "critcal" is not a severity (use info, low, medium, high, critical)`,
    `${dir}/exfil.yaml:6:13: rules[0].window: "5 minutes" is not a duration (use 30s, 5m, 1h, 7d)`,
    `${dir}/exfil.yaml:7:5: rules[0]: unknown key "treshold" — did you mean "threshold"?`,
    `${dir}/exfil.yaml:14:18: rules[1].maxSpeedKmh: must be a number`,
    `${dir}/exfil.yaml:15:22: rules[1].actions[1]: "alert" is listed twice`,
  ]);
});
