package io.chainrule.spark;

import io.chainrule.nn.Module;

import java.io.Serializable;
import java.util.function.Supplier;

/**
 * Builds the model. Called once on the driver and once per executor thread; each copy's parameters are then
 * overwritten by the driver's, so it must build the same architecture every time. A lambda works when everything it
 * captures is serializable: {@code () -> new Sequential(new Linear(784, 128), new ReLU(), new Linear(128, 10))}.
 */
@FunctionalInterface
public interface ModelFactory extends Serializable, Supplier<Module> {}
