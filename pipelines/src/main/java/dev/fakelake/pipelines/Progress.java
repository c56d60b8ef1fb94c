package dev.fakelake.pipelines;

import dev.fakelake.transforms.generate.LiveProgress;
import java.io.PrintStream;
import java.time.Duration;

/**
 * Shows a stage's progress while it runs: records so far, rate and elapsed time, redrawn in place
 * on a terminal and as a plain line every few seconds otherwise.
 */
final class Progress implements AutoCloseable {

  private final String stage;
  private final PrintStream out;
  private final boolean terminal;
  private final long started = System.nanoTime();
  private final Thread thread;
  private volatile boolean running = true;

  private Progress(String stage, PrintStream out) {
    this.stage = stage;
    this.out = out;
    this.terminal = System.console() != null;
    LiveProgress.reset();
    this.thread = new Thread(this::loop, "fakelake-progress");
    this.thread.setDaemon(true);
    this.thread.start();
  }

  static Progress start(String stage) {
    return new Progress(stage, System.err);
  }

  double elapsedSeconds() {
    return (System.nanoTime() - started) / 1e9;
  }

  private void loop() {
    long interval = terminal ? 500 : 5_000;
    while (running) {
      try {
        Thread.sleep(interval);
      } catch (InterruptedException e) {
        return;
      }
      if (running) {
        print(terminal ? "\r" : "", terminal ? "" : "\n");
      }
    }
  }

  private void print(String prefix, String suffix) {
    long records = LiveProgress.total();
    double seconds = elapsedSeconds();
    out.print(
        String.format(
            "%s[%s] %,d records  %,.0f records/s  %s%s",
            prefix, stage, records, seconds > 0 ? records / seconds : 0, clock(seconds), suffix));
    out.flush();
  }

  static String clock(double seconds) {
    Duration d = Duration.ofMillis((long) (seconds * 1000));
    return String.format("%d:%02d.%d", d.toMinutes(), d.toSecondsPart(), d.toMillisPart() / 100);
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
    if (terminal) {
      out.print("\r\033[K");
      out.flush();
    }
  }
}
