"""PyTorch counterpart of bench/train-bench.ts: the same networks, Adam, a
warm-up pass of N steps, then N timed steps. Prints
TORCH model=<m> device=<cpu|cuda> train_img_per_s=<number>.

lenet5, vgg64: batch 64. unet: bench/extra.ts's U-Net (128 px, batch 8,
filters 16-128, 2 classes). style224: an Adam step on the pixels of a 224 px
image through Tiny-Darknet up to its 10th convolution (batch norm in inference
form, leaky ReLU 0.1), content cost on leaky_re_lu_10 and Gram style costs on
leaky_re_lu_2, _5 and _9, as bench/extra.ts; random weights, since the cost of
a step does not depend on their values."""
import argparse
import time

import torch
from torch import nn


def lenet5():
    return nn.Sequential(
        nn.Conv2d(3, 8, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), nn.ReLU(),
        nn.Linear(120, 84), nn.ReLU(),
        nn.Linear(84, 10),
    )


def vgg64():
    def conv(cin, cout):
        return [nn.Conv2d(cin, cout, 3, padding=1), nn.ReLU()]
    return nn.Sequential(
        *conv(3, 32), *conv(32, 32), nn.MaxPool2d(2),
        *conv(32, 64), *conv(64, 64), nn.MaxPool2d(2),
        *conv(64, 128), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(128 * 8 * 8, 256), nn.ReLU(),
        nn.Linear(256, 10),
    )


def double_conv(cin, cout):
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, padding=1), nn.ReLU(),
        nn.Conv2d(cout, cout, 3, padding=1), nn.ReLU(),
    )


class UNet(nn.Module):
    def __init__(self, filters=(16, 32, 64, 128), classes=2):
        super().__init__()
        self.down = nn.ModuleList()
        cin = 3
        for f in filters:
            self.down.append(double_conv(cin, f))
            cin = f
        self.bottleneck = double_conv(cin, 2 * cin)
        cin = 2 * cin
        self.up = nn.ModuleList()
        self.merge = nn.ModuleList()
        for f in reversed(filters):
            self.up.append(nn.ConvTranspose2d(cin, f, 2, stride=2))
            self.merge.append(double_conv(2 * f, f))
            cin = f
        self.mask = nn.Conv2d(cin, classes, 1)

    def forward(self, x):
        skips = []
        for block in self.down:
            x = block(x)
            skips.append(x)
            x = nn.functional.max_pool2d(x, 2)
        x = self.bottleneck(x)
        for up, merge, skip in zip(self.up, self.merge, reversed(skips)):
            x = merge(torch.cat([skip, up(x)], 1))
        return self.mask(x)  # logits; CrossEntropyLoss adds the softmax


# Tiny-Darknet up to leaky_re_lu_10: (filters, kernel) per convolution, "M" a 2x2 max pool.
TINY_DARKNET = [(16, 3), "M", (32, 3), "M", (16, 1), (128, 3), (16, 1), (128, 3), "M",
                (32, 1), (256, 3), (32, 1), (256, 3)]
STYLE_TAPS = (2, 5, 9)  # leaky_re_lu_2, _5, _9
CONTENT_TAP = 10


class DarknetTrunk(nn.Module):
    def __init__(self):
        super().__init__()
        layers, cin = [], 3
        for spec in TINY_DARKNET:
            if spec == "M":
                layers.append(nn.MaxPool2d(2))
                continue
            cout, k = spec
            layers += [nn.Conv2d(cin, cout, k, padding=k // 2, bias=False),
                       nn.BatchNorm2d(cout, eps=1e-3), nn.LeakyReLU(0.1)]
            cin = cout
        self.layers = nn.ModuleList(layers)

    def forward(self, x):
        taps, n = {}, 0
        for layer in self.layers:
            x = layer(x)
            if isinstance(layer, nn.LeakyReLU):
                n += 1
                taps[n] = x
        return [taps[i] for i in STYLE_TAPS], taps[CONTENT_TAP]


def gram(a):
    c = a.shape[1]
    flat = a.reshape(c, -1)
    return flat @ flat.t()


def style_benchmark(steps, device):
    net = DarknetTrunk().to(device).eval()
    for p in net.parameters():
        p.requires_grad_(False)
    content = torch.rand(1, 3, 224, 224, device=device)
    style = torch.rand(1, 3, 224, 224, device=device)
    with torch.no_grad():
        content_target = net(content)[1]
        style_grams = [(gram(a), a.shape) for a in net(style)[0]]
    generated = content.clone().requires_grad_(True)
    optimizer = torch.optim.Adam([generated], lr=0.02)

    def step():
        optimizer.zero_grad()
        styles, out = net(generated)
        content_cost = 0.5 * ((out - content_target) ** 2).sum()
        style_cost = 0
        for a, (g, shape) in zip(styles, style_grams):
            _, c, h, w = shape
            style_cost = style_cost + ((gram(a) - g) ** 2).sum() / (2 * h * w * c) ** 2 / len(styles)
        cost = 10 * content_cost + 40 * style_cost
        cost.backward()
        optimizer.step()
        return cost.item()

    return timed(steps, 1, step)


def timed(steps, images, step):
    for _ in range(steps):
        step()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    return steps * images / (time.perf_counter() - start)


def train_benchmark(model, x, y, steps):
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

    def step():
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        return loss.item()  # read back, as the tfjs side does

    return timed(steps, x.shape[0], step)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", choices=["lenet5", "vgg64", "unet", "style224"], required=True)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--threads", type=int, default=0)
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    if args.model == "style224":
        rate = style_benchmark(args.steps, device)
    elif args.model == "unet":
        x = torch.rand(8, 3, 128, 128, device=device)
        y = torch.randint(0, 2, (8, 128, 128), device=device)
        rate = train_benchmark(UNet().to(device), x, y, args.steps)
    else:
        size = 32 if args.model == "lenet5" else 64
        model = (lenet5() if args.model == "lenet5" else vgg64()).to(device)
        # CrossEntropyLoss on logits = softmax + categorical cross-entropy of the tfjs model.
        x = torch.rand(64, 3, size, size, device=device)
        y = torch.randint(0, 10, (64,), device=device)
        rate = train_benchmark(model, x, y, args.steps)
    print(f"TORCH model={args.model} device={device} train_img_per_s={rate:.2f}")


if __name__ == "__main__":
    main()
