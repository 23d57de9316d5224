"""Application and decision forms and the validators behind them; the API validates through them too."""
