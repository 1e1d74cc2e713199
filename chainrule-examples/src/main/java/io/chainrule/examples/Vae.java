package io.chainrule.examples;

import io.chainrule.Generator;
import io.chainrule.Tensor;
import io.chainrule.autograd.Autograd;
import io.chainrule.data.Batch;
import io.chainrule.data.DataLoader;
import io.chainrule.data.FashionMnist;
import io.chainrule.data.Split;
import io.chainrule.data.TensorDataset;
import io.chainrule.distributions.Normal;
import io.chainrule.io.AtomicFiles;
import io.chainrule.nn.F;
import io.chainrule.nn.Linear;
import io.chainrule.nn.Module;
import io.chainrule.nn.Reduction;
import io.chainrule.optim.Adam;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A variational autoencoder on Fashion-MNIST (Kingma &amp; Welling 2014): an MLP encoder gives μ and log σ² of
 * q(z|x), z = Normal(μ, σ).rsample() (the reparameterization trick, so gradients reach the encoder), an MLP decoder
 * with a sigmoid output gives the pixel probabilities; loss = BCE(sum) + KL(q(z|x) ‖ N(0, I)), per image.
 *
 * <p>Writes {@code vae.png}: rows 1–2 test images, rows 3–4 their reconstructions (from μ), rows 5–8 decoded samples
 * z ~ N(0, I). Options: {@code --epochs N} (5), {@code --latent N} (16), {@code --train-size N} (0 = all),
 * {@code --out FILE}, {@code --data DIR}.
 */
public final class Vae {
    /** Each pixel is drawn as a SCALE × SCALE block, so the 28 × 28 images are readable. */
    private static final int SCALE = 2;

    private Vae() {}

    static final class Model extends Module {
        private final Linear enc, encOut, dec, decOut;
        private final int latent;

        Model(int latent) {
            this.latent = latent;
            enc = register("enc", new Linear(784, 400));
            encOut = register("enc_out", new Linear(400, 2 * latent)); // [μ, log σ²]
            dec = register("dec", new Linear(latent, 400));
            decOut = register("dec_out", new Linear(400, 784));
        }

        /** x {@code [N, 784]} → {@code [μ, log σ²]}, each {@code [N, latent]}. */
        Tensor[] encode(Tensor x) {
            Tensor h = encOut.forward(F.relu(enc.forward(x)));
            return new Tensor[] {h.narrow(1, 0, latent), h.narrow(1, latent, latent)};
        }

        /** z {@code [N, latent]} → pixel probabilities {@code [N, 784]}. */
        Tensor decode(Tensor z) {
            return F.sigmoid(decOut.forward(F.relu(dec.forward(z))));
        }

        @Override
        public Tensor forward(Tensor x) {
            return decode(encode(x)[0]);
        }
    }

    public static void main(String[] argv) throws IOException {
        Args args = new Args(argv);
        int epochs = args.integer("epochs", 5);
        int latent = args.integer("latent", 16);
        Path out = Path.of(args.string("out", "vae.png"));
        Path dir = Path.of(args.string("data", FashionMnist.DEFAULT_DIR.toString()));
        TensorDataset train = Mnist.head(FashionMnist.load(dir, Split.TRAIN), args.integer("train-size", 0));
        TensorDataset test = FashionMnist.load(dir, Split.TEST);

        Tensor.manualSeed(0);
        Model model = new Model(latent);
        Adam adam = new Adam(model.parameters(), args.real("lr", 1e-3));
        Generator gen = new Generator(7);
        Normal prior = new Normal(0.0, 1.0);
        DataLoader loader = new DataLoader(train, 128).shuffle(true).generator(new Generator(0));
        for (int epoch = 1; epoch <= epochs; epoch++) {
            long start = System.nanoTime();
            double recSum = 0, klSum = 0;
            for (Batch b : loader) {
                Tensor x = b.x().reshape(-1, 784);
                Tensor[] stats = model.encode(x);
                Normal q = new Normal(stats[0], stats[1].mul(0.5).exp());
                Tensor z = q.rsample(gen);
                Tensor rec = F.binaryCrossEntropy(model.decode(z), x, Reduction.SUM);
                Tensor kl = Normal.klDivergence(q, prior).sum();
                adam.zeroGrad();
                rec.add(kl).div(x.shape()[0]).backward();
                adam.step();
                recSum += rec.item();
                klSum += kl.item();
            }
            System.out.printf("epoch %d: per image BCE %.2f + KL %.2f = %.2f (%.1f s)%n", epoch, recSum / train.size(),
                    klSum / train.size(), (recSum + klSum) / train.size(), (System.nanoTime() - start) / 1e9);
        }

        int cols = 16;
        BufferedImage img = new BufferedImage(cols * 28 * SCALE, 8 * 28 * SCALE, BufferedImage.TYPE_BYTE_GRAY);
        try (var g = Autograd.noGrad()) {
            Tensor x = test.x().narrow(0, 0, 2 * cols).reshape(-1, 784);
            Tensor recon = model.forward(x);
            Tensor samples = model.decode(Tensor.randn(new Generator(123), 4 * cols, latent));
            draw(img, x.toFloatArray(), 0, cols);
            draw(img, recon.toFloatArray(), 2, cols);
            draw(img, samples.toFloatArray(), 4, cols);
        }
        AtomicFiles.writeStream(out, stream -> ImageIO.write(img, "png", stream));
        System.out.println("wrote " + out.toAbsolutePath() + " (rows 1-2 test images, 3-4 reconstructions, 5-8 samples)");
    }

    /** Paints 784-pixel images in [0, 1], {@code cols} per row, starting at grid row {@code firstRow}. */
    private static void draw(BufferedImage img, float[] pixels, int firstRow, int cols) {
        int n = pixels.length / 784;
        for (int k = 0; k < n; k++) {
            int ox = (k % cols) * 28 * SCALE, oy = (firstRow + k / cols) * 28 * SCALE;
            for (int i = 0; i < 784; i++) {
                int g = Math.round(Math.max(0f, Math.min(1f, pixels[k * 784 + i])) * 255f);
                for (int dy = 0; dy < SCALE; dy++) {
                    for (int dx = 0; dx < SCALE; dx++) {
                        img.getRaster().setSample(ox + (i % 28) * SCALE + dx, oy + (i / 28) * SCALE + dy, 0, g);
                    }
                }
            }
        }
    }
}
