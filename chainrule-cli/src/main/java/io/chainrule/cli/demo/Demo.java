package io.chainrule.cli.demo;

/** A tutorial as a runnable walk-through: prints its numbers next to the formula they check. */
public interface Demo {
    /** The name on the command line, e.g. {@code perceptron}. */
    String name();

    /** One line for the list of demos. */
    String summary();

    /** Runs the walk-through, printing to {@code ctx} and recording each check there. */
    void run(DemoContext ctx) throws Exception;
}
