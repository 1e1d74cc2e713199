package io.chainrule.cli;

import io.chainrule.cli.demo.Demo;

import java.util.List;

/** Demos that need more than the core (added when nn and optim are available). */
final class Extras {
    private Extras() {}

    static List<Demo> demos() {
        return List.of();
    }
}
