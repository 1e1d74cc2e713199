package io.chainrule.examples;

import io.chainrule.DType;
import io.chainrule.Generator;
import io.chainrule.Tensor;
import io.chainrule.autograd.Autograd;
import io.chainrule.nn.Embedding;
import io.chainrule.nn.F;
import io.chainrule.nn.LSTM;
import io.chainrule.nn.Linear;
import io.chainrule.nn.Module;
import io.chainrule.nn.RecurrentOutput;
import io.chainrule.nn.Utils;
import io.chainrule.optim.Adam;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeSet;

/**
 * A character-level language model: Embedding → LSTM → Linear over the characters of a text file, trained on
 * random windows with Adam, printing a temperature-sampled passage every few hundred steps.
 *
 * <p>Usage: {@code CharLstm [FILE]} (default {@code /usr/share/common-licenses/GPL-3}). Options: {@code --steps N}
 * (600), {@code --seq N} (64), {@code --batch N} (32), {@code --hidden N} (128), {@code --temperature T} (0.8),
 * {@code --every N} (100), {@code --sample-length N} (300).
 */
public final class CharLstm {
    private CharLstm() {}

    /** Characters in, next-character logits out; keeps the recurrent state for sampling. */
    static final class Model extends Module {
        private final Embedding embed;
        private final LSTM lstm;
        private final Linear head;

        Model(int vocab, int hidden) {
            embed = register("embed", new Embedding(vocab, 32));
            lstm = register("lstm", new LSTM(32, hidden, 1, true));
            head = register("head", new Linear(hidden, vocab));
        }

        /** indices {@code [batch, seq]} → logits {@code [batch, seq, vocab]} and the final state. */
        RecurrentOutput step(Tensor indices, RecurrentOutput state) {
            RecurrentOutput out = lstm.forward(embed.forward(indices), state);
            return new RecurrentOutput(head.forward(out.output()), out.h(), out.c());
        }

        @Override
        public Tensor forward(Tensor indices) {
            return step(indices, null).output();
        }
    }

    public static void main(String[] argv) throws IOException {
        Args args = new Args(argv);
        Path file = Path.of(args.positional(0, "/usr/share/common-licenses/GPL-3"));
        String text = Files.readString(file, StandardCharsets.UTF_8);
        int steps = args.integer("steps", 600);
        int seq = args.integer("seq", 64);
        int batch = args.integer("batch", 32);
        int hidden = args.integer("hidden", 128);
        double temperature = args.real("temperature", 0.8);
        int every = args.integer("every", 100);
        int sampleLength = args.integer("sample-length", 300);
        if (text.length() < seq + 2) throw new IllegalArgumentException("CharLstm: " + file + " is shorter than " + (seq + 2) + " characters");

        TreeSet<Character> set = new TreeSet<>();
        for (char ch : text.toCharArray()) set.add(ch);
        char[] vocab = new char[set.size()];
        int[] index = new int[Character.MAX_VALUE + 1];
        int v = 0;
        for (char ch : set) {
            index[ch] = v;
            vocab[v++] = ch;
        }
        System.out.printf("%s: %d characters, %d distinct%n", file, text.length(), vocab.length);

        Tensor.manualSeed(0);
        Model model = new Model(vocab.length, hidden);
        Adam adam = new Adam(model.parameters(), args.real("lr", 2e-3));
        Generator gen = new Generator(0);
        double smooth = Math.log(vocab.length);
        long start = System.nanoTime();
        for (int step = 1; step <= steps; step++) {
            long[] in = new long[batch * seq];
            long[] target = new long[batch * seq];
            for (int b = 0; b < batch; b++) {
                int offset = gen.nextInt(text.length() - seq - 1);
                for (int t = 0; t < seq; t++) {
                    in[b * seq + t] = index[text.charAt(offset + t)];
                    target[b * seq + t] = index[text.charAt(offset + t + 1)];
                }
            }
            adam.zeroGrad();
            Tensor logits = model.forward(Tensor.of(in, batch, seq));
            Tensor loss = F.crossEntropy(logits.reshape(batch * seq, vocab.length), Tensor.of(target, batch * seq));
            loss.backward();
            Utils.clipGradNorm(model.parameters(), 1.0);
            adam.step();
            smooth = 0.95 * smooth + 0.05 * loss.item();
            if (step % every == 0 || step == steps) {
                System.out.printf("%n--- step %d, loss %.3f nats/char (%.1f s) ---%n", step, smooth, (System.nanoTime() - start) / 1e9);
                System.out.println(sample(model, vocab, index, text.charAt(gen.nextInt(text.length())), sampleLength, temperature, gen));
            }
        }
    }

    /** Feeds {@code first}, then draws each next character from softmax(logits / temperature). */
    static String sample(Model model, char[] vocab, int[] index, char first, int length, double temperature, Generator gen) {
        StringBuilder sb = new StringBuilder().append(first);
        model.eval();
        try (var g = Autograd.noGrad()) {
            RecurrentOutput state = null;
            int current = index[first];
            for (int i = 0; i < length; i++) {
                RecurrentOutput out = model.step(Tensor.of(new long[] {current}, 1, 1), state);
                state = new RecurrentOutput(null, out.h(), out.c());
                double[] p = out.output().reshape(-1).div(temperature).softmax(0).to(DType.FLOAT64).toDoubleArray();
                double u = gen.nextDouble();
                int next = p.length - 1;
                for (int k = 0; k < p.length; k++) {
                    u -= p[k];
                    if (u < 0) {
                        next = k;
                        break;
                    }
                }
                sb.append(vocab[next]);
                current = next;
            }
        }
        model.train();
        return sb.toString();
    }
}
