"""Recurrent layers: the RNN loop, the LSTM/GRU/SimpleRNN cells and layers, and two wrappers.

base_rnn.py        RNN (the loop over time: masks, go_backwards, states) and the cells' shared part
steps.py           the LSTM and GRU time step as one recorded op each, derivatives written out
simple_rnn.py      SimpleRNN / SimpleRNNCell
lstm.py            LSTM / LSTMCell
gru.py             GRU / GRUCell
stacked_rnn_cells.py  StackedRNNCells (several cells run as one, step by step)
bidirectional.py   Bidirectional
time_distributed.py  TimeDistributed
"""
from minitf.keras.layers.rnn.base_rnn import RNN
from minitf.keras.layers.rnn.bidirectional import Bidirectional
from minitf.keras.layers.rnn.gru import GRU, GRUCell
from minitf.keras.layers.rnn.lstm import LSTM, LSTMCell
from minitf.keras.layers.rnn.simple_rnn import SimpleRNN, SimpleRNNCell
from minitf.keras.layers.rnn.stacked_rnn_cells import StackedRNNCells
from minitf.keras.layers.rnn.time_distributed import TimeDistributed

__all__ = ["RNN", "SimpleRNN", "SimpleRNNCell", "LSTM", "LSTMCell", "GRU", "GRUCell", "Bidirectional",
           "TimeDistributed", "StackedRNNCells"]
