package dev.fakelake.pipelines;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** The exit code and everything printed (standard output and error) of one fakelake command. */
record CommandRun(int exit, String output) {

  /** Runs {@code ./fakelake ARGS} in this JVM, capturing its output and echoing it after. */
  static CommandRun of(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream both = new PrintStream(captured, true, StandardCharsets.UTF_8);
    System.setOut(both);
    System.setErr(both);
    int exit;
    try {
      exit = Fakelake.execute(args);
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
    String output = captured.toString(StandardCharsets.UTF_8);
    out.print(output);
    return new CommandRun(exit, output);
  }
}
