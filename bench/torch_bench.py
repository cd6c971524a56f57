"""PyTorch counterpart of bench/train-bench.ts: the same networks, Adam, batch 64,
a warm-up pass of N steps, then N timed steps. Prints
TORCH model=<m> device=<cpu|cuda> train_img_per_s=<number>."""
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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", choices=["lenet5", "vgg64"], required=True)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--threads", type=int, default=0)
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    size = 32 if args.model == "lenet5" else 64
    model = (lenet5() if args.model == "lenet5" else vgg64()).to(device)
    # CrossEntropyLoss on logits = softmax + categorical cross-entropy of the tfjs model.
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.rand(64, 3, size, size, device=device)
    y = torch.randint(0, 10, (64,), device=device)

    def step():
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        return loss.item()  # read back, as the tfjs side does

    for _ in range(args.steps):
        step()
    start = time.perf_counter()
    for _ in range(args.steps):
        step()
    seconds = time.perf_counter() - start
    print(f"TORCH model={args.model} device={device} train_img_per_s={args.steps * 64 / seconds:.1f}")


if __name__ == "__main__":
    main()
