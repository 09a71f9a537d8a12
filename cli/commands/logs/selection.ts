// What `logs correlate` and `logs tail` share: how functions are chosen.
import { Option, type Command } from 'commander';

export function selectionOptions(cmd: Command, { withStack }: { withStack: boolean }): Command {
  cmd
    .option('--functions <names>', 'comma-separated function names (default with a log directory: every function in it)')
    .option('--prefix <prefix>', 'every function whose name starts with this');
  if (withStack) cmd.option('--stack <name>', 'every Lambda function of a CloudFormation stack');
  return cmd.addOption(new Option('--source <source>', '"cloudwatch" or a log directory such as .faultline/logs').default('cloudwatch'));
}
