"""Lesson 07 (classification): your answers to the checked exercises.

Fill in each function (delete the `raise NotImplementedError` line), then run
    python -m lessons check 07
"""
import numpy as np


def softmax(z):
    """Exercise 4: the softmax of each row of a 2-D NumPy array of logits, p_k = e^{z_k} / sum_j e^{z_j}.
    It must work for logits in the thousands too."""
    raise NotImplementedError  # TODO


def precision_recall_f1(y_true, y_pred, positive=1):
    """Exercise 8: precision, recall and F1 of class `positive`, from the counts of true positives,
    false positives and false negatives (section 7). Return the triple (precision, recall, f1)."""
    raise NotImplementedError  # TODO


def l2_penalty(kernels, factor):
    """Exercise 9: the L2 penalty that kernel_regularizer=L2(factor) adds to the loss for these
    kernels (a list of NumPy arrays): factor times the sum of the squares of all their entries."""
    raise NotImplementedError  # TODO


def dropout_by_hand(x, keep, rate):
    """Exercise 10: what Dropout(rate) computes in training, given which entries it keeps:
    `keep` is a 0/1 array of x's shape (1 = kept). Remember what happens to the kept ones."""
    raise NotImplementedError  # TODO


def early_stopping_epochs(val_losses, patience):
    """Exercise 11: EarlyStopping(monitor="val_loss", patience=patience) sees these validation losses,
    one per epoch. Return (epochs_run, best_epoch), both counted from 1: after how many epochs does
    training stop (all of them if it never stops), and which epoch's weights does
    restore_best_weights=True put back?"""
    raise NotImplementedError  # TODO
